/** class-transformer's metadata store (where `@Type` is kept) ships its types apart from its code. */
declare module 'class-transformer/cjs/storage' {
  export { defaultMetadataStorage } from 'class-transformer/types/storage';
}
