import 'reflect-metadata';
import { Parser } from '@asyncapi/parser';
import { Injectable, Module, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessageBody, SubscribeMessage } from '@nestjs/websockets';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsEnum,
  IsInt,
  IsLowercase,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import {
  buildAsyncApi,
  RealtimeConfigError,
  RealtimeDoc,
  RealtimeGateway,
  RealtimeModule,
  type AsyncApiObject,
  type HandshakeGuard,
  type RealtimeModuleOptions,
} from '../../src/server/index.js';
import { resolveAsyncApiOptions } from '../../src/server/asyncapi/asyncapi-options.js';

/**
 * Issue 17, item 4: the generator on a test-local app. class-validator decorators become JSON
 * Schema keywords (unknown ones a note, never a wrong constraint), a changed validator changes
 * the document, and the security schemes follow the configured token sources.
 */

enum Color {
  Red = 'red',
  Blue = 'blue',
}

class TagDto {
  @IsString() @MaxLength(20) name!: string;
}

class ProfileDto {
  @IsUUID() id!: string;
  @IsString() @MinLength(2) @MaxLength(40) @MaxLength(30) name!: string;
  @IsOptional() @IsBoolean() admin?: boolean;
  @IsEnum(Color) color!: Color;
  @IsInt() @Min(0) @Max(150) age!: number;
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(5)
  @ValidateNested({ each: true })
  @Type(() => TagDto)
  tags!: TagDto[];
  @ValidateNested() @Type(() => TagDto) main!: TagDto;
  @IsString() @Matches(/^a/i) caseless!: string;
  @IsString() @IsLowercase() lower!: string;
}

class SavedDoc {
  @IsInt() version!: number;
}

@RealtimeGateway({ path: '/profiles', pushes: { 'profile:changed': ProfileDto } })
class ProfileGateway {
  @SubscribeMessage('profile:save')
  @RealtimeDoc({ reply: SavedDoc, errors: ['NAME_TAKEN'], summary: 'Save a profile.' })
  save(@MessageBody() dto: ProfileDto): SavedDoc {
    return { version: dto.age };
  }

  @SubscribeMessage('profile:ping')
  ping(): null {
    return null;
  }
}

@Injectable()
class LetEveryoneIn implements HandshakeGuard {
  canHandshake(): boolean {
    return true;
  }
}

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

async function documentOf(options: RealtimeModuleOptions): Promise<AsyncApiObject> {
  @Module({ imports: [RealtimeModule.forRoot(options)], providers: [ProfileGateway] })
  class AppModule {}
  let app: INestApplicationContext | undefined;
  try {
    app = await NestFactory.createApplicationContext(AppModule, { logger: false });
    return buildAsyncApi(app);
  } finally {
    await app?.close();
  }
}

function at(doc: AsyncApiObject, path: string): unknown {
  return path.split('/').reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], doc);
}

const profile = (doc: AsyncApiObject, property: string) =>
  at(doc, `components/schemas/ProfileDto/properties/${property}`);

describe('AsyncAPI generator', () => {
  let doc: AsyncApiObject;
  beforeAll(async () => {
    doc = await documentOf({ jwt: { secret: SECRET }, validation: { forbidUnknownFields: true } });
  });

  it('maps class-validator decorators to JSON Schema', () => {
    expect(profile(doc, 'id')).toEqual({ type: 'string', format: 'uuid' });
    // Both maxima apply: the stricter is documented.
    expect(profile(doc, 'name')).toEqual({ type: 'string', minLength: 2, maxLength: 30 });
    expect(profile(doc, 'admin')).toEqual({ type: ['boolean', 'null'] });
    expect(profile(doc, 'color')).toEqual({ enum: ['red', 'blue'] });
    expect(profile(doc, 'age')).toEqual({ type: 'integer', minimum: 0, maximum: 150 });
    expect(profile(doc, 'tags')).toEqual({
      type: 'array',
      minItems: 1,
      maxItems: 5,
      items: { $ref: '#/components/schemas/TagDto' },
    });
    expect(profile(doc, 'main')).toEqual({ $ref: '#/components/schemas/TagDto' });
    expect(at(doc, 'components/schemas/TagDto/properties/name')).toEqual({
      type: 'string',
      maxLength: 20,
    });
    const schema = at(doc, 'components/schemas/ProfileDto') as Record<string, unknown>;
    expect(schema['required']).not.toContain('admin');
    expect(schema['required']).toContain('tags');
    expect(schema['additionalProperties']).toBe(false); // forbidUnknownFields
  });

  it('notes what it cannot say exactly instead of claiming a constraint', () => {
    // A case-insensitive pattern has no JSON Schema equivalent.
    expect(profile(doc, 'caseless')).toEqual({ type: 'string', description: 'checked by matches' });
    expect(profile(doc, 'lower')).toEqual({
      type: 'string',
      description: 'checked by isLowercase',
    });
  });

  it('has the declared reply, app codes and pushes, and a handler without a body', () => {
    const messages = at(doc, 'channels/profiles/messages') as Record<string, unknown>;
    expect(Object.keys(messages)).toEqual(
      expect.arrayContaining([
        'profile_save.request',
        'profile_save.reply',
        'profile_save.error',
        'profile_ping.request',
        'profile_changed.push',
      ]),
    );
    expect(
      at(doc, 'channels/profiles/messages/profile_save.reply/payload/properties/data'),
    ).toEqual({ $ref: '#/components/schemas/SavedDoc' });
    const codes = at(
      doc,
      'channels/profiles/messages/profile_save.error/payload/properties/error/allOf/1/properties/code/enum',
    );
    expect(codes).toContain('NAME_TAKEN');
    const ping = 'channels/profiles/messages/profile_ping.request/payload';
    expect(at(doc, `${ping}/properties/data`)).toEqual({});
    expect(at(doc, `${ping}/required`)).toEqual(['event']);
    expect(at(doc, 'operations/receive_profile_save/summary')).toBe('Save a profile.');
  });

  it('changes when a DTO validator changes', async () => {
    const before = JSON.stringify(doc);
    Matches(/^[a-z]+$/)(TagDto.prototype, 'name');
    const after = await documentOf({
      jwt: { secret: SECRET },
      validation: { forbidUnknownFields: true },
    });
    expect(JSON.stringify(after)).not.toBe(before);
    expect(at(after, 'components/schemas/TagDto/properties/name')).toEqual({
      type: 'string',
      maxLength: 20,
      pattern: '^[a-z]+$',
    });
  });

  it('has a security scheme per configured token source, in the order they are tried', async () => {
    expect(Object.keys(at(doc, 'components/securitySchemes') as object)).toEqual([
      'bearerHeader',
      'bearerSubprotocol',
      'accessTokenQuery',
    ]);
    const cookie = await documentOf({
      jwt: { secret: SECRET },
      tokenSources: { header: false, query: false, cookie: 'sid' },
    });
    expect(at(cookie, 'components/securitySchemes')).toEqual({
      bearerSubprotocol: expect.objectContaining({ in: 'header', name: 'Sec-WebSocket-Protocol' }),
      tokenCookie: expect.objectContaining({ type: 'httpApiKey', in: 'cookie', name: 'sid' }),
    });
    expect(at(cookie, 'servers/production/security')).toEqual([
      { $ref: '#/components/securitySchemes/bearerSubprotocol' },
      { $ref: '#/components/securitySchemes/tokenCookie' },
    ]);
    // Valid for the official parser too (cookie scheme, optional, nested, enum, notes).
    const diagnostics = await new Parser().validate(JSON.stringify(cookie));
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
    const noJwt = await documentOf({ handshakeGuards: [LetEveryoneIn] });
    expect(at(noJwt, 'components/securitySchemes')).toEqual({});
  });

  it('serves by default outside production only, and checks the path', () => {
    expect(resolveAsyncApiOptions(undefined, 'development').path).toBe('/asyncapi.json');
    expect(resolveAsyncApiOptions(undefined, undefined).path).toBe('/asyncapi.json');
    expect(resolveAsyncApiOptions(undefined, 'production').path).toBe(false);
    expect(resolveAsyncApiOptions({ path: '/x.json' }, 'production').path).toBe('/x.json');
    expect(() => resolveAsyncApiOptions({ path: 'x.json' })).toThrow(RealtimeConfigError);
    expect(() => resolveAsyncApiOptions({ servers: { local: { host: '' } } })).toThrow(
      RealtimeConfigError,
    );
  });
});
