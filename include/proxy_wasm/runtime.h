// Lean C++ runtime hooks for a plugin module. Include in exactly ONE translation unit of
// a plugin (proxy_wasm_add_plugin does it for you; nothing happens on native builds).
//
// Without exceptions, allocation failure and libc++'s internal checks can only abort;
// the stock versions first format a message with printf into stderr, which links stdio
// (~13 KB) and imports WASI fd_write/fd_seek/fd_close. These versions trap instead —
// a host reports a trap with the callback it happened in and fails the VM, exactly as
// after abort(). Define PROXY_WASM_NO_RUNTIME to keep the stock behaviour.
#pragma once

#if defined(__wasm__) && !defined(PROXY_WASM_NO_RUNTIME)
#include <cstddef>
#include <cstdlib>
#include <new>
#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION >= 150000
#include <__verbose_abort>
#endif

void* operator new(std::size_t size) {
  if (void* p = std::malloc(size ? size : 1)) return p;
  __builtin_trap();
}
void* operator new[](std::size_t size) { return ::operator new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size ? size : 1); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return std::malloc(size ? size : 1); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

// A pure virtual call, and libc++abi's fatal-error reporter (which type_info support links
// in, e.g. for std::exception-derived classes such as nlohmann::json's): trap, no stdio.
extern "C" void __cxa_pure_virtual() { __builtin_trap(); }
extern "C" void abort_message(const char*, ...) { __builtin_trap(); }

#if defined(_LIBCPP_VERSION) && _LIBCPP_VERSION >= 150000
/// libc++ lets a program replace its verbose abort (the hook behind its assertions).
_LIBCPP_BEGIN_NAMESPACE_STD
void __libcpp_verbose_abort(const char*, ...) { __builtin_trap(); }
_LIBCPP_END_NAMESPACE_STD
#endif
#endif
