;; A table of four billion elements.
(module
  (memory (export "memory") 1)
  (table 4000000000 funcref)
  (func (export "proxy_abi_version_0_2_1"))
  (func (export "malloc") (export "proxy_on_memory_allocate") (param i32) (result i32) (i32.const 1024))
  (func (export "_initialize")))
