// proxy-wasm-check's rules: the load checks, instantiation, and conformance rules for
// modules built with this SDK.
#include "proxy_wasm/engine/check.h"

#include "abi_tables.h"
#include "proxy_wasm/engine/wasm_guest.h"

namespace proxy_wasm::engine {

CheckReport checkWasmModule(const std::vector<uint8_t>& bytes, const std::string& name) {
  namespace wi = wabt::interp;
  CheckReport report;
  wi::ModuleDesc desc;
  if (!parseModule(bytes.data(), bytes.size(), name, &desc, &report.load_error)) return report;
  report.imports = desc.imports.size();
  report.exports = desc.exports.size();
  report.load_error = checkModule(desc);
  if (report.load_error.empty() && !loadWasmGuest(bytes, &report.load_error, name) && report.load_error.empty())
    report.load_error = "cannot instantiate the module";

  auto exported = [&](const std::string& export_name, wi::ExternKind kind) -> const wi::ExportDesc* {
    for (const auto& e : desc.exports)
      if (e.type.name == export_name && e.type.type->kind == kind) return &e;
    return nullptr;
  };
  auto& problems = report.problems;

  if (const auto* marker = exported(kAbiMarker, wi::ExternKind::Func)) {
    const auto& type = *wabt::cast<wi::FuncType>(marker->type.type.get());
    if (!type.params.empty() || !type.results.empty())
      problems.push_back(std::string(kAbiMarker) + " should be () -> (), is " + describe(type));
  } else {
    problems.push_back(std::string("missing export: ") + kAbiMarker + " (the ABI version marker)");
  }
  if (!exported("malloc", wi::ExternKind::Func))
    problems.push_back("missing export: malloc (Envoy's host looks up malloc first)");
  if (!exported("proxy_on_memory_allocate", wi::ExternKind::Func))
    problems.push_back("missing export: proxy_on_memory_allocate (the allocator the spec names)");
  if (!exported("_initialize", wi::ExternKind::Func))
    problems.push_back("missing export: _initialize (build the plugin as a WASI reactor)");
  if (!exported("memory", wi::ExternKind::Memory)) problems.push_back("missing export: memory (the linear memory)");

  for (const auto& e : desc.exports) {
    const std::string& n = e.type.name;
    if (n.rfind("proxy_", 0) != 0 || n == kAbiMarker) continue;
    const ExportSpec* spec = findExport(n);
    if (!spec || !spec->callback)
      problems.push_back("unexpected export: " + n + " is not a Proxy-Wasm v0.2.1 callback");
  }
  return report;
}

}  // namespace proxy_wasm::engine
