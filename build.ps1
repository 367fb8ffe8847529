# Builds and tests Analyzer on Windows or anywhere PowerShell runs (the Debian setup lives in build.sh).
#   ./build.ps1          restore and build (Release)
#   ./build.ps1 test     build, run every test, end with one line "N passed, N failed, N skipped"
#   -Gpu                 use the ONNX Runtime CUDA package
param([string]$Action = "build", [switch]$Gpu)
$ErrorActionPreference = "Stop"
Set-Location $PSScriptRoot
if (-not (Get-Command dotnet -ErrorAction SilentlyContinue)) {
    Write-Error "The .NET 10 SDK is required: https://dotnet.microsoft.com/download/dotnet/10.0"
}
$props = @()
if ($Gpu) { $props += "-p:AnalyzerGpu=true" }
dotnet build Analyzer.sln -c Release -nologo -v q @props
if ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }
if ($Action -eq "test") {
    $results = "artifacts/test-results"
    if (Test-Path $results) { Remove-Item -Recurse -Force $results }
    dotnet test Analyzer.sln -c Release --no-build -nologo @props --logger trx --results-directory $results
    $status = $LASTEXITCODE
    $passed = 0; $failed = 0; $skipped = 0
    foreach ($trx in Get-ChildItem "$results/*.trx") {
        $c = ([xml](Get-Content $trx)).TestRun.ResultSummary.Counters
        $passed += [int]$c.passed; $failed += [int]$c.failed; $skipped += [int]$c.total - [int]$c.executed
    }
    if ($status -ne 0 -and $failed -eq 0) { $failed = 1 }
    Write-Output "$passed passed, $failed failed, $skipped skipped"
    exit $status
}
