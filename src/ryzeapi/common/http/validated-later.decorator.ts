import { Allow } from 'class-validator';

const VALIDATED_LATER = 'ryze:validated-later';

/**
 * A body property the global pipe lets through as it came, unchecked: its handler validates it
 * later, with validateBody (POST /api/instance/new's chatwoot* block, once the instance exists).
 */
export const ValidatedLater = (): PropertyDecorator => (target, key) => {
  Allow()(target, key as string);
  const keys: (string | symbol)[] = Reflect.getMetadata(VALIDATED_LATER, target.constructor) ?? [];
  Reflect.defineMetadata(VALIDATED_LATER, [...keys, key], target.constructor);
};

export const validatedLater = (metatype: Function): (string | symbol)[] => Reflect.getMetadata(VALIDATED_LATER, metatype) ?? [];
