// Validates Istio WasmPlugin manifests against Istio's published schema (the CRDs, through
// @kubernetes-models/istio, pinned in package.json / package-lock.json; `npm ci` here).
//   node tests/istio/validate.mjs FILE.yaml...
// Every YAML document must be a WasmPlugin (extensions.istio.io/v1alpha1) that validates;
// each file must hold at least one. Exit status 1 with the reason otherwise.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";
import { WasmPlugin } from "@kubernetes-models/istio/extensions.istio.io/v1alpha1/WasmPlugin";

let failed = false;
for (const file of process.argv.slice(2)) {
  try {
    const docs = parseAllDocuments(readFileSync(file, "utf8"));
    let count = 0;
    for (const doc of docs) {
      if (doc.errors.length) throw new Error(`YAML: ${doc.errors[0].message}`);
      const object = doc.toJS();
      if (object === null) continue;
      if (object.apiVersion !== "extensions.istio.io/v1alpha1" || object.kind !== "WasmPlugin")
        throw new Error(`not a WasmPlugin (apiVersion ${object.apiVersion}, kind ${object.kind})`);
      new WasmPlugin(object).validate();
      if (!object.spec || !object.spec.url) throw new Error("spec.url is required (the module: oci://, file://, http(s)://)");
      count++;
    }
    if (count === 0) throw new Error("no WasmPlugin in the file");
    console.log(`ok ${file}: ${count} WasmPlugin`);
  } catch (e) {
    console.error(`invalid ${file}: ${e.message}`);
    failed = true;
  }
}
if (process.argv.length < 3) {
  console.error("usage: node validate.mjs FILE.yaml...");
  failed = true;
}
process.exit(failed ? 1 : 0);
