/**
 * files/: encrypted file transfer (issue 11). Sources and sinks shared by Node and browsers, the tus
 * upload and the verified download, resumable, with progress events; the client wires them in.
 */

export type { SendFileOptions } from './describe.js';
export { cleanFileName, MAX_FILE_NAME_CHARS, mediaTypeOf } from './names.js';
export { fileSinkAt } from './path-sink.js';
export { fileFromPath, type PathFileSource } from './path-source.js';
export { type BlobSink, blobSink, type FileSink, type MemorySink, memorySink } from './sink.js';
export { DEFAULT_MEDIA_TYPE, type FileSource, fileFromBlob, fileFromBytes } from './source.js';
