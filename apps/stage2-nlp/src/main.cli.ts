import { main } from './cli/process-command';

void main();
