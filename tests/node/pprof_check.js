// Independent reader for memlens's pprof export: decodes a (gzipped) profile.proto file with
// the npm package pprof-format (Datadog's encoder/decoder, not our code) and prints what it
// holds as one JSON object on stdout, for the C++ test to compare with what it put in.
//
//   node tests/node/pprof_check.js /tmp/profile.pb.gz
"use strict";
const fs = require("fs");
const zlib = require("zlib");
const { Profile } = require("pprof-format");

function num(v) {
  return typeof v === "bigint" ? Number(v) : v;
}

function main() {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: pprof_check.js FILE");
    process.exit(2);
  }
  let data = fs.readFileSync(path);
  const gzipped = data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b;
  if (gzipped) data = zlib.gunzipSync(data);
  const p = Profile.decode(data);
  const str = (i) => p.stringTable.strings[num(i)];

  const functions = new Map(p.function.map((f) => [num(f.id), f]));
  const locations = new Map(p.location.map((l) => [num(l.id), l]));
  const mappings = new Map(p.mapping.map((m) => [num(m.id), m]));
  const sampleTypes = p.sampleType.map((t) => [str(t.type), str(t.unit)]);
  const totals = {};
  sampleTypes.forEach(([type]) => (totals[type] = 0));

  const stacks = p.sample.map((s) => {
    const values = s.value.map(num);
    values.forEach((v, i) => (totals[sampleTypes[i][0]] += v));
    const frames = [];
    const lines = [];
    const modules = [];
    for (const id of s.locationId) {
      const loc = locations.get(num(id));
      if (!loc) throw new Error(`sample refers to missing location ${id}`);
      const m = mappings.get(num(loc.mappingId));
      modules.push(m ? str(m.filename) : "");
      if (loc.line.length === 0) frames.push(`?? @${num(loc.address).toString(16)}`);
      for (const line of loc.line) {
        const fn = functions.get(num(line.functionId));
        if (!fn) throw new Error(`line refers to missing function ${line.functionId}`);
        frames.push(str(fn.name));
        lines.push(`${str(fn.filename)}:${num(line.line)}`);
      }
    }
    const labels = {};
    for (const l of s.label) labels[str(l.key)] = str(l.str);
    return { frames, lines, modules, values, labels };
  });

  const out = {
    gzipped,
    stringTable0: p.stringTable.strings[0],
    sampleTypes,
    defaultSampleType: str(p.defaultSampleType),
    periodType: p.periodType ? [str(p.periodType.type), str(p.periodType.unit)] : null,
    timeNanos: String(p.timeNanos),
    totals,
    samples: p.sample.length,
    locations: p.location.length,
    functions: [...new Set(p.function.map((f) => str(f.name)))].sort(),
    mappings: p.mapping.map((m) => ({
      file: str(m.filename),
      start: num(m.memoryStart),
      limit: num(m.memoryLimit),
      hasInlineFrames: m.hasInlineFrames,
    })),
    comments: p.comment.map(str),
    stacks,
  };
  process.stdout.write(JSON.stringify(out) + "\n");
}

try {
  main();
} catch (e) {
  console.error(`pprof_check: ${e.message}`);
  process.exit(1);
}
