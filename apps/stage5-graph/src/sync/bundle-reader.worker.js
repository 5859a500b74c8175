// Piscina loads plain JavaScript: register tsx first so the TypeScript worker (and the
// workspace's path aliases) load the same way under tsx, jest and node.
require('tsx/cjs');
module.exports = require('./bundle-reader.worker.ts');
