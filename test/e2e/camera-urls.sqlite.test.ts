import { defineCameraUrlSuite } from './camera-urls.suite.js';

defineCameraUrlSuite('sqlite');
