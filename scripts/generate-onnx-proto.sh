#!/usr/bin/env bash
# Regenerates Sources/LeptonONNX/Generated/onnx.pb.swift from onnx.proto (ONNX 1.22.0).
# Run by hand only when the ONNX schema changes; CI never runs it (the output is committed).
# Needs: protoc (Debian protobuf-compiler) and protoc-gen-swift built from swift-protobuf 1.39.0:
#   git clone /opt/swift-packages/apple/swift-protobuf.git /tmp/swift-protobuf
#   (cd /tmp/swift-protobuf && git checkout 1.39.0 && swift build -c release --product protoc-gen-swift)
set -euo pipefail
cd "$(dirname "$0")/.."
PLUGIN="${PROTOC_GEN_SWIFT:-/tmp/swift-protobuf/.build/release/protoc-gen-swift}"
PROTO_DIR="$(python3 -c 'import onnx, os; print(os.path.dirname(onnx.__file__))')"
OUT=Sources/LeptonONNX/Generated
mkdir -p "$OUT"
protoc --plugin=protoc-gen-swift="$PLUGIN" --proto_path="$PROTO_DIR" \
  --swift_opt=Visibility=Public --swift_out="$OUT" "$PROTO_DIR/onnx.proto"
echo "wrote $OUT/onnx.pb.swift"
