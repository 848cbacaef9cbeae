// Every Dapper call in this assembly is intercepted at build time by Dapper.AOT: no reflection
// emit at run time, so the control store works under Native AOT (see docs/data-path-2.md, Memory).
[module: Dapper.DapperAot]
