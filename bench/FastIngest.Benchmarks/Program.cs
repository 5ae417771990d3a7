using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(FastIngest.Benchmarks.Data).Assembly).Run(args);
