import { defineRunnerFilesSuite } from './runner-files.suite.js';

defineRunnerFilesSuite('sqlite');
