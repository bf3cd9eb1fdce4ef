;; Every request continues; every tick logs. For counting the runner's work per step.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "tick")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize"))
  (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
  (func (export "proxy_on_tick") (param i32) (drop (call $log (i32.const 2) (i32.const 100) (i32.const 4)))))
