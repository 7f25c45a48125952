// class-transformer 0.5 keeps `@Type()` metadata in a storage it does not export from its
// entry point; its CommonJS build is what Node loads for both `import` and `require` (the
// package has no `exports` map), so this is the instance the app's decorators wrote to.
declare module 'class-transformer/cjs/storage.js' {
  export const defaultMetadataStorage: {
    findTypeMetadata(
      target: abstract new (...args: never[]) => unknown,
      propertyName: string,
    ): { typeFunction(options?: unknown): unknown } | undefined;
  };
}
