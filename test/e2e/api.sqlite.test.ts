import { defineApiSuite } from './api.suite.js';

defineApiSuite('sqlite');
