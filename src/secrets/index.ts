export { findSecrets, redactSecrets, type SecretFinding } from './SecretDetector.js';
