export { createApp, type AppOptions } from './app.js';
export { startApp, DEMO_USER, type RunningApp } from './server.js';
export { loadAppConfig, ConfigError, type AppConfig } from './config.js';
export { connectDatabase, migrateDatabase } from './users/db.js';
export { createUserStore, type UserStore, type NewUser } from './users/store.js';
export { createThrottle, DEFAULT_THROTTLE, type Throttle, type ThrottlePolicy, type ThrottleRule } from './users/throttle.js';
export type { User } from './users/user.js';
