// Properties: Envoy's attributes derived from the effective stream, the filter state
// proxy_set_property writes, and the host's own values.
#include "proxy_wasm/host/model.h"

#include <cstring>

namespace proxy_wasm::host {

namespace {

std::string u64Bytes(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
  return out;
}

// A NUL-joined property path split in place: its first segments and how many there are; a
// trailing empty segment is ignored (CSDK sends one). No lookup reads past the third
// segment, so only three are kept and the count saturates at four ("more"): a path of any
// length costs a few memchr calls and no allocation (a module may send a 64 KiB path of
// NULs, as the abi fuzzer does).
struct PathParts {
  static constexpr size_t kKept = 3;
  std::string_view segments[kKept];
  size_t count = 0;  // min(segments, kKept + 1)
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  std::string_view operator[](size_t i) const { return segments[i]; }
};

PathParts splitPath(std::string_view path) {
  PathParts out;
  size_t start = 0, raw = 0;  // raw: segments found, the trailing empty one included
  while (raw <= PathParts::kKept) {
    const void* nul = path.size() > start ? std::memchr(path.data() + start, '\0', path.size() - start) : nullptr;
    const size_t end = nul ? size_t(static_cast<const char*>(nul) - path.data()) : path.size();
    if (raw < PathParts::kKept) out.segments[raw] = path.substr(start, end - start);
    ++raw;
    if (!nul) {
      const bool trailing_empty = end == start;  // the last segment (after the last NUL) is empty
      out.count = raw - (trailing_empty ? 1 : 0);
      return out;
    }
    start = end + 1;
  }
  out.count = PathParts::kKept + 1;  // at least kKept + 2 raw segments: more than any lookup reads
  return out;
}

// The path as the host stores it: the segments joined again, i.e. without the trailing NUL
// of an ignored empty segment.
std::string_view pathKey(std::string_view path) {
  return !path.empty() && path.back() == '\0' ? path.substr(0, path.size() - 1) : path;
}

// Top-level names Envoy resolves itself (CEL attributes and its own tokens); any other
// first segment is looked up in the filter state proxy_set_property writes.
bool envoyAttribute(std::string_view name) {
  static const char* const kNames[] = {
      "request", "response", "connection", "upstream", "source", "destination", "metadata", "filter_state",
      "upstream_filter_state", "node", "cluster_name", "cluster_metadata", "listener_direction",
      "listener_metadata", "route_name", "route_metadata", "upstream_host_metadata", "xds", "plugin_name",
      "plugin_root_id", "plugin_vm_id", "connection_id"};
  for (const char* n : kNames)
    if (name == n) return true;
  return false;
}

}  // namespace

// Properties derived from the effective stream, as Envoy computes them.
std::optional<std::string> Model::streamProperty(std::string_view path) {
  const PathParts parts = splitPath(path);
  if (parts.empty()) return std::nullopt;
  const uint32_t root = rootOf(effective());
  if (RootRecord* r = rootRecord(root)) {
    if (parts.size() == 1 && parts[0] == "plugin_name") return r->plugin.name;
    if (parts.size() == 1 && parts[0] == "plugin_root_id") return r->plugin.root_id;
  }
  if (parts.size() == 1 && parts[0] == "plugin_vm_id") return options_.vm_id;
  // Connection attributes of the effective stream or connection (Envoy: its connection's
  // addresses; here the host's options, overridable per stream with setProperty).
  if (parts.size() == 2 && (parts[0] == "source" || parts[0] == "destination" || parts[0] == "connection")) {
    ContextRecord* rec = record(effective());
    if (rec && rec->kind != ContextRecord::Root) {
      if (parts[0] == "connection") {
        if (parts[1] == "id") return u64Bytes(rec->id);
        return std::nullopt;
      }
      const std::string& address = parts[0] == "source" ? options_.source_address : options_.destination_address;
      if (parts[1] == "address") return address;
      if (parts[1] == "port") {
        const size_t colon = address.rfind(':');
        if (colon == std::string::npos) return std::nullopt;
        uint64_t port = 0;
        for (char c : address.substr(colon + 1)) {
          if (c < '0' || c > '9') return std::nullopt;
          port = port * 10 + uint64_t(c - '0');
        }
        return u64Bytes(port);
      }
    }
    return std::nullopt;
  }
  HttpStream* s = effectiveHttp();
  if (!s) return std::nullopt;
  const HttpStream::Direction& rq = s->request_;
  const HttpStream::Direction& rs = s->response_;
  // Header-derived attributes read Envoy's current maps (or the access-log ones in on_log):
  // once a phase continued they are gone (envoyproxy/envoy#24194), like the maps.
  const bool rq_headers = s->in_log_ ? rq.has_headers : rq.headers_live;
  const bool rs_headers = s->in_log_ ? rs.has_headers : rs.headers_live;
  if (parts[0] == "request" && parts.size() >= 2 && rq.has_headers) {
    if (parts.size() == 2 && parts[1] == "size") return u64Bytes(rq.forwarded.size() + rq.buffer.size());
    if (!rq_headers) return std::nullopt;
    if (parts[1] == "headers") {
      if (parts.size() == 2) return rq.headers.serialize();
      if (parts.size() == 3) {
        auto v = rq.headers.get(parts[2]);
        if (v) return std::string(*v);
      }
      return std::nullopt;
    }
    if (parts.size() != 2) return std::nullopt;
    if (parts[1] == "path") return rq.headers.get(":path") ? std::optional<std::string>(std::string(*rq.headers.get(":path"))) : std::nullopt;
    if (parts[1] == "method") return rq.headers.get(":method") ? std::optional<std::string>(std::string(*rq.headers.get(":method"))) : std::nullopt;
    if (parts[1] == "host") return rq.headers.get(":authority") ? std::optional<std::string>(std::string(*rq.headers.get(":authority"))) : std::nullopt;
    if (parts[1] == "scheme") return rq.headers.get(":scheme") ? std::optional<std::string>(std::string(*rq.headers.get(":scheme"))) : std::nullopt;
    if (parts[1] == "id") return rq.headers.get("x-request-id") ? std::optional<std::string>(std::string(*rq.headers.get("x-request-id"))) : std::nullopt;
  }
  if (parts[0] == "response" && parts.size() >= 2) {
    if (parts[1] == "code" && parts.size() == 2) {
      uint64_t code = 0;
      if (s->local_response_) {
        code = s->local_response_->status;
      } else if (rs.has_headers) {
        auto v = rs.headers.get(":status");
        if (!v) return std::nullopt;
        for (char c : *v) {
          if (c < '0' || c > '9') return std::nullopt;
          code = code * 10 + uint64_t(c - '0');
        }
      } else {
        return std::nullopt;
      }
      return u64Bytes(code);
    }
    if (parts[1] == "headers" && rs_headers) {
      if (parts.size() == 2) return rs.headers.serialize();
      if (parts.size() == 3) {
        auto v = rs.headers.get(parts[2]);
        if (v) return std::string(*v);
      }
    }
  }
  return std::nullopt;
}

Status Model::hGetProperty(std::string_view path, std::string& value) {
  const PathParts parts = splitPath(path);
  const std::string key(pathKey(path));
  HttpStream* s = effectiveHttp();
  TcpConnection* c = effectiveTcp();
  // Per-stream values the test set (they stand for Envoy's attributes), then the values
  // Envoy derives from the stream, then proxy_set_property's filter state, then the host's.
  const std::map<std::string, std::string>* stream_props = s ? &s->properties_ : c ? &c->properties_ : nullptr;
  if (stream_props) {
    auto it = stream_props->find(key);
    if (it != stream_props->end()) {
      value = it->second;
      return Status::Ok;
    }
  }
  if (auto derived = streamProperty(key)) {
    value = std::move(*derived);
    return Status::Ok;
  }
  // Envoy's findValue looks the filter state up by the first segment only ("wasm.<name>"),
  // and a stored value is bytes, which further segments cannot index.
  const std::map<std::string, std::string>* state = s ? &s->filter_state_ : c ? &c->filter_state_ : nullptr;
  if (state && !parts.empty() && !envoyAttribute(parts[0])) {
    auto it = state->find(std::string(parts[0]));
    if (it != state->end()) {
      if (parts.size() != 1) return Status::NotFound;
      value = it->second;
      return Status::Ok;
    }
  }
  auto it = options_.properties.find(key);
  if (it != options_.properties.end()) {
    value = it->second;
    return Status::Ok;
  }
  return Status::NotFound;
}

Status Model::hSetProperty(std::string_view path, std::string_view value) {
  // Envoy stores the value under the path exactly as sent ("wasm." + path): a path with
  // several segments, or with a trailing NUL, is stored but cannot be read back.
  const std::string key(path);
  if (HttpStream* s = effectiveHttp()) {
    s->filter_state_[key] = std::string(value);
    return Status::Ok;
  }
  if (TcpConnection* c = effectiveTcp()) {
    c->filter_state_[key] = std::string(value);
    return Status::Ok;
  }
  return Status::NotFound;  // no stream (e.g. a root context)
}

}  // namespace proxy_wasm::host
