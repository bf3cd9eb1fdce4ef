;; A tick that asks for 4 GiB more memory, then says whether it got it.
(module
  (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "memory.grow failed")
  (data (i32.const 200) "memory.grow succeeded")
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize"))
  (func (export "proxy_on_tick") (param i32)
    (if (i32.eq (memory.grow (i32.const 65535)) (i32.const -1))
      (then (drop (call $log (i32.const 2) (i32.const 100) (i32.const 18))))
      (else (drop (call $log (i32.const 2) (i32.const 200) (i32.const 21)))))))
