#!/usr/bin/env node
// The `sotto` command. It exists before the build so npm links it at install; the code is in dist/.
import '../dist/bin.js';
