// Properties: Envoy's attributes derived from the effective stream, the filter state
// proxy_set_property writes, and the host's own values.
#include "proxy_wasm/host/host.h"

namespace proxy_wasm::host {

namespace {

std::string u64Bytes(uint64_t v) {
  std::string out;
  for (int i = 0; i < 8; ++i) out.push_back(char((v >> (8 * i)) & 0xff));
  return out;
}

// Splits a NUL-joined property path; a trailing empty segment is ignored (CSDK sends one).
std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('\0', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  if (!parts.empty() && parts.back().empty()) parts.pop_back();
  return parts;
}

std::string joinPath(const std::vector<std::string_view>& parts) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.push_back('\0');
    out.append(parts[i]);
  }
  return out;
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
std::optional<std::string> Host::streamProperty(std::string_view path) {
  const auto parts = splitPath(path);
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

Status Host::hGetProperty(std::string_view path, std::string& value) {
  const auto parts = splitPath(path);
  const std::string key = joinPath(parts);
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

Status Host::hSetProperty(std::string_view path, std::string_view value) {
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
