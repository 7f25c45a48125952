import { ValidationPipe, type ArgumentMetadata } from '@nestjs/common';
import { RealtimeException } from '../../src/server/errors/realtime.exception.js';
import { DEFER, RealtimeValidationPipe } from '../../src/server/pipes/realtime-validation.pipe.js';
import type { ResolvedRealtimeOptions } from '../../src/server/realtime.options.js';
import { corpus, type Payload } from './dto-corpus.js';
import {
  AsyncDto,
  asyncCalls,
  Color,
  CustomDto,
  FlatDto,
  ListDto,
  NestedAsyncDto,
  SendDto,
  TransformDto,
} from './dto-fixtures.js';

type Outcome = { ok: true; shape: unknown } | { ok: false; code: string; details: unknown };

function pipeWith(forbidUnknownFields: boolean): RealtimeValidationPipe {
  const options = { validation: { forbidUnknownFields } } as ResolvedRealtimeOptions;
  return new RealtimeValidationPipe(options);
}

function body(metatype: abstract new () => object): ArgumentMetadata {
  return { type: 'body', metatype: metatype as ArgumentMetadata['metatype'], data: undefined };
}

/** Everything observable of a value: classes, key order, -0 and NaN. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return ['array', value.map(shape)];
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value).map((key) => [
      key,
      shape((value as Record<string, unknown>)[key]),
    ]);
    return [Object.getPrototypeOf(value), entries];
  }
  if (Object.is(value, -0)) return '-0';
  return [typeof value, value];
}

function failed(error: unknown): Outcome {
  if (!(error instanceof RealtimeException)) throw error;
  return { ok: false, code: error.code, details: error.details };
}

/** class-transformer and class-validator, as Nest's ValidationPipe runs them. */
async function stock(pipe: RealtimeValidationPipe, meta: ArgumentMetadata, payload: Payload) {
  try {
    const value: unknown = await ValidationPipe.prototype.transform.call(pipe, payload(), meta);
    return { ok: true, shape: shape(value) } as Outcome;
  } catch (error) {
    return failed(error);
  }
}

function compiled(pipe: RealtimeValidationPipe, meta: ArgumentMetadata, payload: Payload) {
  try {
    const value = pipe.tryCompiled(payload(), meta);
    if (value === DEFER) return DEFER;
    return { ok: true, shape: shape(value) } as Outcome;
  } catch (error) {
    return failed(error);
  }
}

const CASES: [string, abstract new () => object, Record<string, unknown>][] = [
  [
    'flat rules',
    FlatDto,
    {
      name: 'ann',
      cell: 4,
      ratio: 0.5,
      flag: true,
      kind: 'a',
      color: Color.Red,
      slug: 'abc',
      must: 'x',
      id: 'f47ac10b-58cc-4372-a567-0e02b2c3d479',
      meta: { a: 1 },
    },
  ],
  [
    'arrays and nested DTOs',
    ListDto,
    {
      tags: ['a', 'b'],
      items: [{ label: 'x', scores: [1, 2] }],
      main: { label: 'm' },
      // Without @Type() the nested object stays plain: class-validator calls it unknown.
      untyped: null,
      bare: { note: 'n' },
    },
  ],
  ['inherited rules, @Allow and a default', SendDto, { room: 'lobby', text: 'hi', trace: 1 }],
  ['a custom constraint and @ValidateIf', CustomDto, { code: 'ab', mode: 'strict', level: 2 }],
];

describe('the compiled DTO path gives what class-validator gives', () => {
  for (const forbid of [false, true]) {
    for (const [name, metatype, valid] of CASES) {
      it(`${name} (forbidUnknownFields: ${forbid})`, async () => {
        const pipe = pipeWith(forbid);
        const meta = body(metatype);
        const payloads = corpus(valid);
        let failures = 0;
        for (const payload of payloads) {
          const expected = await stock(pipe, meta, payload);
          const actual = compiled(pipe, meta, payload);
          expect(actual).not.toBe(DEFER);
          expect(actual).toEqual(expected);
          if (!expected.ok) failures++;
        }
        // The corpus exercises both outcomes.
        expect(failures).toBeGreaterThan(10);
        expect(failures).toBeLessThan(payloads.length);
      });
    }
  }

  it('returns a real instance: methods, getters and defaults work', () => {
    const dto = pipeWith(false).tryCompiled({ room: 'r', text: 't', junk: 1 }, body(SendDto));
    expect(dto).toBeInstanceOf(SendDto);
    expect(dto).toEqual(Object.assign(new SendDto(), { room: 'r', text: 't' }));
    const flat = pipeWith(false).tryCompiled(
      {
        name: 'ann',
        cell: 4,
        flag: true,
        kind: 'a',
        color: 'red',
        slug: 'abc',
        must: 1,
        describe: 'x',
      },
      body(FlatDto),
    ) as FlatDto;
    expect(flat.describe()).toBe('ann:4');
    expect(flat.upper).toBe('ANN');
  });
});

describe('what the compiled path leaves to class-validator', () => {
  const pipe = pipeWith(false);

  it('an async constraint: the stock path runs it', async () => {
    expect(pipe.tryCompiled({ handle: 'taken' }, body(AsyncDto))).toBe(DEFER);
    asyncCalls.length = 0;
    await expect(pipe.transform({ handle: 'taken' }, body(AsyncDto))).rejects.toMatchObject({
      details: [{ field: 'handle', errors: ['handle is taken'] }],
    });
    await expect(pipe.transform({ handle: 'free' }, body(AsyncDto))).resolves.toBeInstanceOf(
      AsyncDto,
    );
    expect(asyncCalls).toEqual(['taken', 'free']);
  });

  it('an async constraint in a nested DTO: found on the first payload, then left alone', async () => {
    const payload = { inner: { handle: 'taken' } };
    expect(pipe.tryCompiled(payload, body(NestedAsyncDto))).toBe(DEFER);
    expect(pipe.tryCompiled({ inner: { handle: 'free' } }, body(NestedAsyncDto))).toBe(DEFER);
    await expect(pipe.transform(payload, body(NestedAsyncDto))).rejects.toMatchObject({
      details: [{ field: 'inner.handle', errors: ['handle is taken'] }],
    });
  });

  it('a @Transform(): class-transformer applies it', async () => {
    expect(pipe.tryCompiled({ text: ' ab ' }, body(TransformDto))).toBe(DEFER);
    await expect(pipe.transform({ text: ' ab ' }, body(TransformDto))).resolves.toEqual(
      Object.assign(new TransformDto(), { text: 'ab' }),
    );
  });

  it('a payload that is not a plain object', () => {
    expect(pipe.tryCompiled(['x'], { ...body(SendDto), data: 'x' })).toBe(DEFER);
    expect(pipe.tryCompiled('x', { ...body(SendDto), data: 'x' })).toBe(DEFER);
  });
});
