import { StandardSchemaValidationPipe, type ArgumentMetadata, type PipeTransform, type Type } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  PARAMTYPES_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { ParamsTokenFactory } from '@nestjs/core/pipes/params-token-factory.js';
import { RouteParamsFactory } from '@nestjs/core/router/route-params-factory.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Refusal } from './fast-route.enhancers';

interface RouteArgument {
  index: number;
  data?: string;
  pipes?: unknown[];
  schema?: unknown;
  factory?: (data: unknown, context: ExecutionContextHost) => unknown;
}

export interface Parameter {
  index: number;
  extract: (request: FastifyRequest, reply: FastifyReply) => unknown;
  metadata: ArgumentMetadata;
  /** The app's global pipes that apply to it, in order, as Nest applies them. */
  pipes: PipeTransform[];
}

/** Parameter types Nest runs pipes on (RouterExecutionContext.isPipeable). */
const PIPEABLE = new Set<RouteParamtypes>([
  RouteParamtypes.BODY,
  RouteParamtypes.RAW_BODY,
  RouteParamtypes.QUERY,
  RouteParamtypes.PARAM,
  RouteParamtypes.FILE,
  RouteParamtypes.FILES,
  RouteParamtypes.COOKIES,
  RouteParamtypes.SIGNED_COOKIES,
]);

/** Each argument as Nest's RouteParamsFactory extracts it, with the pipes and pipe metadata Nest would use. */
export function compileParameters(
  controller: Type,
  method: string,
  callback: object,
  globalPipes: PipeTransform[],
  refuse: Refusal,
): Parameter[] {
  const declared: Record<string, RouteArgument> = Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, method) ?? {};
  const paramtypes: unknown[] = Reflect.getMetadata(PARAMTYPES_METADATA, controller.prototype as object, method) ?? [];
  const values = new RouteParamsFactory();
  const tokens = new ParamsTokenFactory();
  return Object.entries(declared).map(([key, argument]): Parameter => {
    if (argument.pipes && argument.pipes.length > 0)
      throw refuse('parameter pipes are not supported (the global pipes and `schema` are)');
    const { index, data, schema } = argument;
    const metatype = paramtypes[index] as Type | undefined;
    const custom = key.includes(CUSTOM_ROUTE_ARGS_METADATA);
    const type = custom ? undefined : (Number(key.split(':')[0]) as RouteParamtypes);
    const metadata = {
      type: type === undefined ? 'custom' : tokens.exchangeEnumForString(type),
      data,
      metatype,
      schema,
    } as ArgumentMetadata;
    const pipes =
      type === undefined || PIPEABLE.has(type) ? globalPipes.filter((pipe) => !passesThrough(pipe, metadata)) : [];
    if (type === undefined) {
      const factory = argument.factory!;
      const extract = (request: FastifyRequest, reply: FastifyReply) => {
        const context = new ExecutionContextHost(
          [request, reply],
          controller,
          callback as (...args: unknown[]) => unknown,
        );
        context.setType('http');
        return factory(data, context);
      };
      return { index, extract, metadata, pipes };
    }
    if (type === RouteParamtypes.RESPONSE && !Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, method)) {
      throw refuse('@Res() needs { passthrough: true }: the method returns the body');
    }
    if (type === RouteParamtypes.NEXT) throw refuse('@Next() is not supported');
    const extract = (request: FastifyRequest, reply: FastifyReply) =>
      values.exchangeKeyForValue(type, data!, { req: request, res: reply, next: undefined! });
    return { index, extract, metadata, pipes };
  });
}

/**
 * Whether a pipe hands this parameter back untouched, so awaiting it would be waste: Nest's
 * StandardSchemaValidationPipe (not a subclass, which may transform more) for a parameter
 * without a schema returns the value as is.
 */
function passesThrough(pipe: PipeTransform, metadata: ArgumentMetadata): boolean {
  return pipe.constructor === StandardSchemaValidationPipe && !metadata.schema;
}
