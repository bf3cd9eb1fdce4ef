;; A tick that logs one 16 MiB line (of zero bytes, each printed as \x00 in full).
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 257)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize"))
  (func (export "proxy_on_tick") (param i32)
    (drop (call $log (i32.const 2) (i32.const 0) (i32.const 16777216)))))
