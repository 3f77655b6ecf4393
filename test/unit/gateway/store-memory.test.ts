import { memoryStore } from '../../../src/gateway/store/memory.js';
import { describeStoreContract } from '../../contract/store.contract.js';

describeStoreContract('memory', () => memoryStore());
