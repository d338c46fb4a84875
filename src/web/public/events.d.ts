// Types for events.js, which the server imports too (one definition for browser and server).
export declare const TERMINAL_EVENTS: ReadonlySet<string>;
