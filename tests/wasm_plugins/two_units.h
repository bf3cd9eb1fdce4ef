// The contexts of the two-unit plugin, defined across two_units_a.cc and two_units_b.cc.
#pragma once

#include <proxy_wasm/proxy_wasm.h>

class TwoUnitsRoot : public proxy_wasm::RootContext {
 public:
  using RootContext::RootContext;
  bool onStart(size_t) override;
};

class TwoUnitsHttp : public proxy_wasm::HttpContext {
 public:
  using HttpContext::HttpContext;
  proxy_wasm::Action onRequestHeaders(uint32_t headers, bool end_of_stream) override;
};
