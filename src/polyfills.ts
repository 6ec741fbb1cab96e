// Every entry point imports this module first; vitest loads it as a setup file.
import './polyfills/promiseWithResolvers.js';
