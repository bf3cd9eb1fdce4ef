// Recycles the memory of context objects on wasm: a stream context is created and destroyed
// for every request, so its block goes back to a free list of its size class instead of
// through malloc/free. Natively the pool is off (sanitizers then see every object).
#pragma once

#include <cstddef>
#include <cstdlib>

namespace proxy_wasm::detail {

class ContextPool {
 public:
  static constexpr size_t kGranule = 16;
  static constexpr size_t kClasses = 32;  // blocks up to 512 bytes are recycled

  void* allocate(size_t size) {
    const size_t c = sizeClass(size);
    if (c < kClasses && free_[c]) {
      Node* n = free_[c];
      free_[c] = n->next;
      return n;
    }
    void* p = std::malloc(c < kClasses ? (c + 1) * kGranule : size);
    if (!p) __builtin_trap();  // out of memory is fatal, as in operator new
    return p;
  }

  void release(void* p, size_t size) {
    if (!p) return;
    const size_t c = sizeClass(size);
    if (c >= kClasses) {
      std::free(p);
      return;
    }
    Node* n = static_cast<Node*>(p);
    n->next = free_[c];
    free_[c] = n;
  }

 private:
  struct Node {
    Node* next;
  };
  static size_t sizeClass(size_t size) { return size == 0 ? 0 : (size - 1) / kGranule; }
  Node* free_[kClasses] = {};
};

}  // namespace proxy_wasm::detail
