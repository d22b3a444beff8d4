#!/usr/bin/env bash
# Builds the self-contained single-file robegen for the GPU machine (it has no dotnet) into .gpu/robegen/ (git-ignored).
# The binary runs on the CPU and CUDA alike; carry .gpu/robegen to the GPU machine and run scripts/synthetic-study.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet publish src/RobeGen.Cli -c Release -r linux-x64 --self-contained \
  -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -o .gpu/robegen
ls -la .gpu/robegen/RobeGen.Cli
