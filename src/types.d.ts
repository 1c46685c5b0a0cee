declare module 'fs-ext';
