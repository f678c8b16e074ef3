export { FileSink, fileSinkFactory, fileSinkSchema, renderLines } from './sink';
export type { FileSinkConfig } from './sink';
export { RotatingFile } from './rotating-file';
