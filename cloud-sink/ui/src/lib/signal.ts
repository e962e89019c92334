// Shared with the HQ dashboard: the code lives in ui-shared/.
export * from '../../../../ui-shared/signal.js';
