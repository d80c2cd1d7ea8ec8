/**
 * Imported first by the CLI. undici parses HTTP with llhttp compiled to WebAssembly, and V8's
 * optimising compiler for it costs a one-shot process ~35 MB and ~100 ms; the baseline compiler
 * parses the few kilobytes a diagnosis reads just as well. (The long-running bot keeps the default.)
 */
import v8 from 'node:v8';

v8.setFlagsFromString('--liftoff-only');
