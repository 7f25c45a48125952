import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayNotEmpty,
  Allow,
  IsArray,
  IsBoolean,
  IsDefined,
  IsEnum,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  Validate,
  ValidateIf,
  ValidateNested,
  ValidatorConstraint,
  type ValidationArguments,
  type ValidatorConstraintInterface,
} from 'class-validator';

export enum Color {
  Red = 'red',
  Blue = 'blue',
}

export class FlatDto {
  @IsString()
  @Length(1, 8)
  name!: string;

  @IsInt()
  @Min(0)
  @Max(8)
  cell!: number;

  @IsNumber({ allowNaN: false })
  @IsOptional()
  ratio?: number;

  @IsBoolean()
  flag!: boolean;

  @IsIn(['a', 'b'])
  kind!: string;

  @IsEnum(Color)
  color!: Color;

  @Matches(/^[a-z]+$/, { message: 'slug must be lowercase letters' })
  @MinLength(2)
  @MaxLength(5, { message: (args: ValidationArguments) => `${args.property} over $constraint1` })
  slug!: string;

  @IsDefined()
  @IsNotEmpty()
  must!: unknown;

  @IsUUID('4')
  @IsOptional()
  id?: string;

  @IsObject()
  @IsOptional()
  meta?: object;

  /** A method and a getter: the instance must keep them. */
  describe(): string {
    return `${this.name}:${this.cell}`;
  }

  get upper(): string {
    return String(this.name).toUpperCase();
  }
}

export class ItemDto {
  @IsString()
  label!: string;

  @IsInt({ each: true, message: 'each score must be an integer ($value)' })
  @IsOptional()
  scores?: number[];
}

export class BareDto {
  note?: string;
}

export class ListDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @IsString({ each: true })
  tags!: string[];

  @ArrayNotEmpty()
  @ValidateNested({ each: true })
  @Type(() => ItemDto)
  items!: ItemDto[];

  @ValidateNested()
  @Type(() => ItemDto)
  @IsOptional()
  main?: ItemDto;

  @ValidateNested()
  @IsOptional()
  untyped?: ItemDto;

  @ValidateNested()
  @Type(() => BareDto)
  @IsOptional()
  bare?: BareDto;
}

export class RoomDto {
  @IsString()
  @Matches(/^[a-z0-9_-]{1,64}$/, { message: 'room must be 1-64 characters of a-z, 0-9, - and _' })
  room!: string;
}

export class SendDto extends RoomDto {
  @IsString()
  @Length(1, 2000)
  text!: string;

  @Allow()
  trace?: unknown;

  /** A default the constructor sets. */
  @IsInt()
  @IsOptional()
  priority = 1;
}

@ValidatorConstraint({ name: 'evenLength' })
class EvenLength implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    return typeof value === 'string' && value.length % 2 === 0 && args.object instanceof CustomDto;
  }

  defaultMessage(args: ValidationArguments): string {
    return `$property of ${args.targetName} must have an even length, got $value`;
  }
}

export class CustomDto {
  @Validate(EvenLength)
  code!: string;

  @IsString()
  @IsOptional()
  mode?: string;

  @ValidateIf((dto: CustomDto) => dto.mode === 'strict')
  @IsInt()
  level?: number;
}

/** Calls to the async constraint, so a test can see it ran. */
export const asyncCalls: unknown[] = [];

@ValidatorConstraint({ name: 'isFree', async: true })
class IsFree implements ValidatorConstraintInterface {
  validate(value: unknown): Promise<boolean> {
    asyncCalls.push(value);
    return Promise.resolve(value !== 'taken');
  }

  defaultMessage(): string {
    return '$property is taken';
  }
}

export class AsyncDto {
  @IsString()
  @Validate(IsFree)
  handle!: string;
}

export class NestedAsyncDto {
  @ValidateNested()
  @Type(() => AsyncDto)
  inner!: AsyncDto;
}

export class TransformDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 4)
  text!: string;
}
