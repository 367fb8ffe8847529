using Analyzer.Cli;

return AnalyzerApp.Run(args, Console.Out, Console.Error);
