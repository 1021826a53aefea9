/**
 * The files UI, loaded after sign-in (never on the register screen): the kit the messenger shares, and
 * the file part of a message bubble.
 */
import './files.css';

export { FileBody, type FileBodyProps } from './FileBody.js';
export { createFilesKit, type FilesKit } from './kit.js';
