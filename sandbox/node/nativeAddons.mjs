// A package's compiled addon (a .node file) that cannot load in this sandbox: built for another
// Node (NODE_MODULE_VERSION), another system or CPU (an ELF for another machine, a macOS or
// Windows binary), or against a newer C library than the sandbox's. Node's own message names only
// the symptom; the user needs to hear which file, why, and what runs here.
import fs from 'node:fs';

const CAUSES = [
  [
    /NODE_MODULE_VERSION (\d+)[^]*?requires\s+NODE_MODULE_VERSION (\d+)/,
    (m) => `built for another Node (module version ${m[1]}; this Node needs ${m[2]})`,
  ],
  [
    /invalid ELF header|not a mach-o file|Exec format error|wrong ELF class|file too short/i,
    () => 'built for another system or CPU',
  ],
  [/version `(GLIBC_[\d.]+)' not found/, (m) => `built against a newer C library (needs ${m[1]})`],
];

const IN_CONTAINER =
  "use the local sandbox (--sandbox local, or afterburner.sandbox.backend: local), which runs this machine's Node, or give " +
  'an image whose Node the addon was built for (a dev container, or afterburner.sandbox.image).';
const ON_THIS_MACHINE = 'rebuild it for this Node (npm rebuild in the project), then run again.';

/** Docker writes /.dockerenv into every container. */
function inContainer() {
  return fs.existsSync('/.dockerenv');
}

const ADDON_FILE = /((?:\/|[A-Za-z]:\\)[^\s:'"]+\.node)\b/;

/**
 * The explanation for the first addon load failure in `texts` (error messages, test failures), or
 * undefined when none of them is one.
 */
export function nativeAddonNote(texts) {
  for (const text of texts) {
    if (typeof text !== 'string' || !/\.node\b/.test(text)) continue;
    for (const [pattern, why] of CAUSES) {
      const cause = pattern.exec(text);
      if (!cause) continue;
      const file = ADDON_FILE.exec(text)?.[1] ?? 'a compiled addon (.node)';
      return (
        `${file} cannot load in this sandbox: it was ${why(cause)}; the sandbox runs Node ${process.version} on ` +
        `${process.platform} ${process.arch}. Next step: ${inContainer() ? IN_CONTAINER : ON_THIS_MACHINE}`
      );
    }
  }
  return undefined;
}
