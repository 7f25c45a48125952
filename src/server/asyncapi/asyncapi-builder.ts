import { CloseCode, ReservedEvent, SUBPROTOCOL } from '../../protocol/index.js';
import type { HandlerRef, PathEntry } from '../gateway/gateway-catalog.js';
import type { RealtimeGatewayMetadata } from '../gateway/realtime-gateway.decorator.js';
import { JwtHandshakeGuard } from '../handshake/jwt-handshake.guard.js';
import { REALTIME_GATEWAY } from '../realtime.constants.js';
import type { ResolvedRealtimeOptions } from '../realtime.options.js';
import type { ResolvedAsyncApiOptions } from './asyncapi-options.js';
import { DtoSchemas } from './dto-schema.js';
import { payloadTypeOf } from './handler-payload.js';
import {
  closeCodes,
  ENVELOPE_SCHEMAS,
  errorReplyEnvelope,
  HANDLER_ERROR_CODES,
  handshakeErrors,
  pushEnvelope,
  replyEnvelope,
  requestEnvelope,
  RESERVED,
  securitySchemes,
  STREAM_POSITION,
} from './protocol-parts.js';
import { REALTIME_DOC, type RealtimeDocOptions } from './realtime-doc.decorator.js';
import type { JsonSchema } from './validator-keywords.js';

/** The AsyncAPI 3.0 document as plain JSON data. */
export type AsyncApiObject = { asyncapi: '3.0.0' } & { [field: string]: unknown };

const PROTOCOL_SUMMARY = `Every channel is a WebSocket path speaking the \`${SUBPROTOCOL}\` subprotocol: text frames of one JSON object each. A client message is \`{event, data, id?}\`; with an \`id\` the server answers exactly one reply, \`{id, data}\` or \`{id, error: {code, message, details?}}\`. A push is \`{event, data}\`; an error with nothing to reply to is the push \`${ReservedEvent.ERROR}\`. Events starting with \`$\` are reserved. Application close codes from ${CloseCode.CLIENT_RECONNECTING} below ${CloseCode.REVOKED} mean reconnect, from ${CloseCode.REVOKED} up do not (\`x-close-codes\` of each channel).`;

/** A key for AsyncAPI maps (`^[A-Za-z0-9_.-]+$`) for which `taken` is false. */
function keyOf(name: string, taken: (key: string) => boolean): string {
  const base = name.replace(/^\$/, 'reserved_').replace(/[^A-Za-z0-9_.-]/g, '_') || 'root';
  let key = base;
  for (let n = 2; taken(key); n++) key = `${base}_${n}`;
  return key;
}

/** Builds the document from the gateway catalog and the module's options. */
export class AsyncApiBuilder {
  private readonly schemas: DtoSchemas;
  private readonly channels: Record<string, JsonSchema> = {};
  private readonly operations: Record<string, JsonSchema> = {};

  constructor(
    private readonly options: ResolvedRealtimeOptions,
    private readonly doc: ResolvedAsyncApiOptions,
  ) {
    this.schemas = new DtoSchemas(options.validation.forbidUnknownFields);
  }

  build(entries: readonly PathEntry[]): AsyncApiObject {
    for (const entry of entries) this.channel(entry);
    const jwt = entries.some((e) => e.guards.some((g) => g instanceof JwtHandshakeGuard));
    const schemes = jwt ? securitySchemes(this.options.tokenSources) : {};
    const security = Object.keys(schemes).map((k) => ({
      $ref: `#/components/securitySchemes/${k}`,
    }));
    const servers = Object.fromEntries(
      Object.entries(this.doc.servers).map(([name, s]) => [name, { ...s, security }]),
    );
    const description = [this.doc.description, PROTOCOL_SUMMARY].filter(Boolean).join('\n\n');
    const document = {
      asyncapi: '3.0.0' as const,
      info: { title: this.doc.title, version: this.doc.version, description },
      defaultContentType: 'application/json',
      servers,
      channels: this.channels,
      operations: this.operations,
      components: {
        schemas: { ...ENVELOPE_SCHEMAS, StreamPosition: STREAM_POSITION, ...this.schemas.schemas },
        securitySchemes: schemes,
      },
    };
    // Plain JSON: no `undefined`, the same object a file or the HTTP path holds.
    return JSON.parse(JSON.stringify(document)) as AsyncApiObject;
  }

  private channel(entry: PathEntry): void {
    const key = keyOf(entry.path.replace(/^\//, ''), (k) => k in this.channels);
    const ref = `#/channels/${key}`;
    const messages: Record<string, JsonSchema> = {};
    this.channels[key] = {
      address: entry.path,
      title: entry.path,
      description: `WebSocket endpoint; offer the subprotocol \`${SUBPROTOCOL}\`.`,
      messages,
      bindings: { ws: { method: 'GET', bindingVersion: '0.1.0' } },
      'x-close-codes': closeCodes(),
      'x-handshake-errors': handshakeErrors(),
    };
    const channel = { key, ref, messages };
    this.reservedOperations(channel);
    for (const handler of entry.handlerRefs) this.handler(channel, handler);
    for (const gateway of entry.gateways) {
      const meta = Reflect.getMetadata(REALTIME_GATEWAY, gateway) as RealtimeGatewayMetadata;
      for (const [event, type] of Object.entries(meta.pushes ?? {})) {
        this.push(channel, event, this.schemas.of(type));
      }
    }
    this.push(channel, ReservedEvent.ERROR, errorPushData());
  }

  private handler(channel: Channel, { event, gateway, method }: HandlerRef): void {
    const callback = (gateway.prototype as Record<string, unknown>)[method] as object;
    const doc = (Reflect.getMetadata(REALTIME_DOC, callback) ?? {}) as RealtimeDocOptions;
    const data = this.schemas.of(payloadTypeOf(gateway, method));
    const reply =
      doc.reply === undefined ? { description: 'Not declared.' } : this.schemas.of(doc.reply);
    const codes = [...new Set([...HANDLER_ERROR_CODES, ...(doc.errors ?? [])])];
    this.operation(channel, event, {
      summary: doc.summary,
      description: doc.description,
      request: requestEnvelope(event, data, false),
      reply: replyEnvelope(reply),
      error: errorReplyEnvelope(codes),
    });
  }

  private operation(channel: Channel, event: string, op: OperationParts): void {
    // `a:b` and `a_b` both sanitize to `a_b`: the second gets `a_b_2`.
    const key = keyOf(event, (k) => `${k}.request` in channel.messages);
    const add = (suffix: string, payload: JsonSchema, summary?: string) => {
      const id = `${key}.${suffix}`;
      channel.messages[id] = { name: event, title: `${event} (${suffix})`, summary, payload };
      return { $ref: `${channel.ref}/messages/${id}` };
    };
    const request = add('request', op.request, op.summary);
    const replies = [add('reply', op.reply)];
    if (op.error) replies.push(add('error', op.error));
    this.operations[keyOf(`receive_${key}`, (k) => k in this.operations)] = {
      action: 'receive',
      channel: { $ref: channel.ref },
      title: event,
      summary: op.summary,
      description: [op.description, 'The reply is sent when the message carries an `id`.']
        .filter(Boolean)
        .join('\n\n'),
      messages: [request],
      reply: { channel: { $ref: channel.ref }, messages: replies },
    };
  }

  private push(channel: Channel, event: string, data: JsonSchema): void {
    const key = keyOf(event, (k) => `${k}.push` in channel.messages);
    const id = `${key}.push`;
    const recovery = this.options.recovery !== undefined && event !== ReservedEvent.ERROR;
    channel.messages[id] = {
      name: event,
      title: event,
      payload: pushEnvelope(event, data, recovery),
    };
    this.operations[keyOf(`send_${key}`, (k) => k in this.operations)] = {
      action: 'send',
      channel: { $ref: channel.ref },
      title: event,
      messages: [{ $ref: `${channel.ref}/messages/${id}` }],
    };
  }

  /** The reserved requests of section 4, `$resume` only with the `recovery` option. */
  private reservedOperations(channel: Channel): void {
    const events: (keyof typeof RESERVED)[] = [ReservedEvent.PING, ReservedEvent.AUTH];
    if (this.options.recovery) events.push(ReservedEvent.RESUME);
    for (const event of events) {
      const { summary, data, reply, errors } = RESERVED[event];
      this.operation(channel, event, {
        summary,
        request: requestEnvelope(event, data, true),
        reply: replyEnvelope(reply),
        error: errors.length > 0 ? errorReplyEnvelope(errors) : undefined,
      });
    }
  }
}

interface Channel {
  key: string;
  ref: string;
  messages: Record<string, JsonSchema>;
}

interface OperationParts {
  summary?: string | undefined;
  description?: string | undefined;
  request: JsonSchema;
  reply: JsonSchema;
  /** The error reply; none for an event that cannot fail (`$ping`). */
  error?: JsonSchema | undefined;
}

function errorPushData(): JsonSchema {
  return {
    allOf: [
      { $ref: '#/components/schemas/ErrorPayload' },
      {
        type: 'object',
        properties: { event: { type: 'string', description: "The client's event, when known." } },
      },
    ],
  };
}
