// Types of callgrind.mjs, for test/unit/bench-callgrind.test.ts (the bench itself runs as plain JavaScript).
export declare const BACKGROUND_COMPILE: RegExp
export declare function parseDump(text: string): { total: number; compile: number } | undefined
export declare function findCallgrind(): { version: string; missing?: undefined } | { missing: string; version?: undefined }
