/** Jest globalTeardown: drops the run's template database (see database-template.js). */
export { globalTeardown as default } from './database-template.js';
