import { defineConsolePagesSuite } from './console-pages.suite.js';

defineConsolePagesSuite('sqlite');
