import { defineRunnersApiSuite } from './runners-api.suite.js';

defineRunnersApiSuite('sqlite');
