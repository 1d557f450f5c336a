// The Win32 door of @mem/pages: every function has its exact Win32 name and takes the calling
// Process first. Re-exports each file of src/win32/ (virtual memory here; process-level functions
// are added by their own files).
export * from './win32/virtual';
export * from './win32/system';
export * from './win32/process';
export * from './win32/memory';
