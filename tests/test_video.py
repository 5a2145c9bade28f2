"""Tests for vision/video.py: H.264 round trip, Y4M, and every way a file can be bad.

Frames are tiny (64x48) and synthetic so the whole file runs in about a second.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from fractions import Fraction
from pathlib import Path

import av
import cv2
import numpy as np
import pytest

from vision.files.video import H264Writer, VideoError, VideoInfo, VideoReader, probe, write_y4m

W, H = 64, 48
FRAME_WH = (W, H)
# x264 at crf 23 on a smooth gradient: measured mean abs error about 5.
MAX_MEAN_ABS_ERROR = 8.0


def gradient_bgr(i: int, frame_wh: tuple[int, int] = FRAME_WH) -> np.ndarray:
    """A smooth BGR uint8 gradient that shifts with the frame index ``i``; shape (H, W, 3)."""
    w, h = frame_wh
    x = np.linspace(0.0, 1.0, w)[None, :]
    y = np.linspace(0.0, 1.0, h)[:, None]
    blue = 40 + 150 * x + 40 * y + 2 * i
    green = 200 - 120 * y + 0 * x
    red = 60 + 100 * x * y + 3 * i
    return np.clip(np.dstack([blue, np.broadcast_to(green, (h, w)), red]), 0, 255).astype(np.uint8)


def write_clip(path: Path, n_frames: int = 30, fps: float = 30.0) -> Path:
    """Write ``n_frames`` gradient frames as an H.264 MP4 and return the path."""
    with H264Writer(path, fps=fps, frame_wh=FRAME_WH) as writer:
        for i in range(n_frames):
            writer.write(gradient_bgr(i))
    return path


def mean_abs_error(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.mean(np.abs(a.astype(np.int16) - b.astype(np.int16))))


# -- H.264 round trip -------------------------------------------------------


def test_h264_round_trip_frames_times_and_content(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=30, fps=30.0)

    with VideoReader(path) as reader:
        info = reader.info
        frames = list(reader)
        assert reader.warnings == []

    assert info == VideoInfo(path=str(path), fps=30.0, frame_wh=FRAME_WH, n_frames=30, duration_s=pytest.approx(1.0))
    assert len(frames) == 30
    times_s = np.array([t_s for _, t_s in frames])
    assert np.all(np.diff(times_s) > 0)
    np.testing.assert_allclose(times_s, np.arange(30) / 30.0, atol=1e-6)
    for i, (frame_bgr, _) in enumerate(frames):
        assert frame_bgr.shape == (H, W, 3) and frame_bgr.dtype == np.uint8
        assert mean_abs_error(frame_bgr, gradient_bgr(i)) < MAX_MEAN_ABS_ERROR, f"frame {i}"


def test_h264_frames_left_out_keep_their_times(tmp_path: Path) -> None:
    """A camera that dropped frames: each frame written at its own time keeps it (no fragmenting needed)."""
    kept = [0, 1, 2, 5, 6, 7, 8, 14, 15, 17, 18, 19]  # single drops and stalls of 2 and 5 frames
    path = tmp_path / "dropped.mp4"
    with H264Writer(path, fps=24, frame_wh=FRAME_WH, preset="slow") as writer:
        for i in kept:
            writer.write(gradient_bgr(i), i / 24)
        with pytest.raises(ValueError, match="expected a time after the last frame's"):
            writer.write(gradient_bgr(19), 19.2 / 24)  # the same slot of the 1/24 s grid
    with VideoReader(path) as reader:
        frames = list(reader)
        assert reader.warnings == []
    np.testing.assert_allclose([t for _, t in frames], np.array(kept) / 24, atol=1e-6)
    for i, (frame_bgr, _) in zip(kept, frames):
        assert mean_abs_error(frame_bgr, gradient_bgr(i)) < MAX_MEAN_ABS_ERROR, f"frame {i}"


def test_h264_file_plays_in_chromium_yuv420p_faststart(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=10)
    with av.open(str(path)) as container:
        codec = container.streams.video[0].codec_context
        assert codec.name == "h264"
        # what every browser decodes: the ultrafast preset gives Constrained Baseline, the others Main
        assert codec.profile in ("Constrained Baseline", "Main")
        assert codec.pix_fmt == "yuv420p"
    data = path.read_bytes()
    assert 0 <= data.find(b"moov") < data.find(b"mdat"), "moov must come first (faststart)"


def test_h264_ntsc_rate_has_exact_timestamps(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "ntsc.mp4", n_frames=20, fps=29.97)
    with VideoReader(path) as reader:
        assert reader.info.fps == pytest.approx(30000 / 1001)
        times_s = [t_s for _, t_s in reader]
    np.testing.assert_allclose(times_s, np.arange(20) * 1001 / 30000, atol=1e-9)


def test_max_frames_and_second_pass(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=12)
    with VideoReader(path, max_frames=5) as reader:
        first_pass = [t_s for _, t_s in reader]
        second_pass = [t_s for _, t_s in reader]
    assert len(first_pass) == 5
    assert second_pass == first_pass
    with pytest.raises(ValueError, match="max_frames"):
        VideoReader(path, max_frames=0)


def test_probe_returns_info_and_closes(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=15, fps=15)
    info = probe(path)
    assert info.fps == 15.0
    assert info.frame_wh == FRAME_WH
    assert info.n_frames == 15
    assert info.duration_s == pytest.approx(1.0)


# -- writer refusals --------------------------------------------------------


@pytest.mark.parametrize("frame_wh", [(63, 48), (64, 47)])
def test_writer_refuses_odd_size(tmp_path: Path, frame_wh: tuple[int, int]) -> None:
    with pytest.raises(ValueError, match=r"even width and height, got \d+x\d+"):
        H264Writer(tmp_path / "odd.mp4", fps=30, frame_wh=frame_wh)


def test_writer_refuses_frame_of_wrong_shape_or_dtype(tmp_path: Path) -> None:
    with H264Writer(tmp_path / "clip.mp4", fps=30, frame_wh=FRAME_WH) as writer:
        with pytest.raises(ValueError, match=r"expected a BGR frame of shape \(48, 64, 3\).*got shape \(64, 48, 3\)"):
            writer.write(np.zeros((W, H, 3), np.uint8))
        with pytest.raises(ValueError, match=r"got shape \(48, 64\)"):
            writer.write(np.zeros((H, W), np.uint8))
        with pytest.raises(ValueError, match="expected dtype uint8, got float32"):
            writer.write(np.zeros((H, W, 3), np.float32))
        writer.write(gradient_bgr(0))
    with pytest.raises(ValueError, match="writer is closed"):
        writer.write(gradient_bgr(1))


def test_writer_refuses_bad_fps_and_crf(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="fps: expected a frame rate > 0"):
        H264Writer(tmp_path / "a.mp4", fps=0, frame_wh=FRAME_WH)
    with pytest.raises(ValueError, match="crf: expected an integer 0..51"):
        H264Writer(tmp_path / "a.mp4", fps=30, frame_wh=FRAME_WH, crf=60)


def test_writer_into_missing_folder_raises_video_error(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"no_such_dir/clip\.mp4: cannot create the video file \(folder .* does not exist\)"):
        H264Writer(tmp_path / "no_such_dir" / "clip.mp4", fps=30, frame_wh=FRAME_WH)


# -- reader refusals: one message each --------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"nope\.mp4: file not found; check the path"):
        VideoReader(tmp_path / "nope.mp4")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(VideoError, match=r"is a directory, expected a video file"):
        VideoReader(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"")
    with pytest.raises(VideoError, match=r"clip\.mp4: file is empty \(0 bytes\); record or export the clip again"):
        VideoReader(path)


def test_text_file_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("these are my massage notes, not a video\n" * 20)
    with pytest.raises(VideoError, match=r"notes\.mp4: not a video file \(it is text starting 'these are"):
        VideoReader(path)


def test_json_file_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "routine.mp4"
    path.write_text(json.dumps({"name": "long strokes", "steps": [1, 2, 3]}))
    with pytest.raises(VideoError, match=r"routine\.mp4: not a video file \(it is text starting '\{\"name\""):
        VideoReader(path)


def test_binary_junk_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "junk.mp4"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(VideoError, match=r"junk\.mp4: not a video file \(FFmpeg says: "):
        VideoReader(path)


def test_still_image_renamed_mp4(tmp_path: Path) -> None:
    path = tmp_path / "photo.mp4"
    ok, png = cv2.imencode(".png", gradient_bgr(0))
    assert ok
    path.write_bytes(png.tobytes())
    with pytest.raises(VideoError, match=r"photo\.mp4: is a still image \(png\), not a video"):
        VideoReader(path)


def test_audio_only_file(tmp_path: Path) -> None:
    path = tmp_path / "voice.mp4"
    sample_rate_hz = 8000
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=sample_rate_hz)
        for i in range(8):
            frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="fltp", layout="mono")
            frame.sample_rate = sample_rate_hz
            frame.pts = i * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    with pytest.raises(VideoError, match=r"voice\.mp4: no video stream \(found only audio\)"):
        VideoReader(path)


def test_video_stream_with_zero_frames(tmp_path: Path) -> None:
    # A Y4M header with no FRAME after it: a valid video stream, nothing in it.
    path = tmp_path / "blank.y4m"
    path.write_bytes(b"YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n")
    with pytest.raises(VideoError, match=r"blank\.y4m: video stream has no frames \(0 decoded\)"):
        VideoReader(path)


def test_mp4_cut_inside_its_header(tmp_path: Path) -> None:
    data = write_clip(tmp_path / "full.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[:100])  # ftyp and the start of moov
    with pytest.raises(VideoError, match=r"cut\.mp4: video file has no readable streams \(it is truncated or corrupt"):
        VideoReader(path)


def test_mp4_with_index_but_no_frame_data(tmp_path: Path) -> None:
    data = write_clip(tmp_path / "full.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: data.find(b"mdat") + 4])  # moov intact, frame data gone
    with pytest.raises(
        VideoError, match=r"cut\.mp4: video file is truncated or corrupt \(its header lists 30 frames but none"
    ):
        VideoReader(path)


def test_mp4_cut_inside_first_frame(tmp_path: Path) -> None:
    data = write_clip(tmp_path / "full.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: data.find(b"mdat") + 80])  # part of the first keyframe
    with pytest.raises(VideoError, match=r"cut\.mp4: video file is truncated or corrupt \(no frame could be decoded"):
        VideoReader(path)


def test_truncated_mp4_keeps_frames_and_warns(tmp_path: Path) -> None:
    # With +faststart the index (moov) is at the front: keeping the first 60%
    # keeps the index and the early frames, and loses the rest. Grain makes
    # every frame cost bytes (a clean gradient's first keyframe would be most
    # of the file, and the cut would land inside it).
    n_frames = 30
    rng = np.random.default_rng(0)
    with H264Writer(tmp_path / "full.mp4", fps=30, frame_wh=FRAME_WH) as writer:
        for i in range(n_frames):
            grain = rng.integers(-24, 25, size=(H, W, 1))
            writer.write(np.clip(gradient_bgr(i) + grain, 0, 255).astype(np.uint8))
    data = (tmp_path / "full.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: int(len(data) * 0.6)])

    with VideoReader(path) as reader:
        assert reader.info.n_frames == n_frames  # what the header claims
        frames = list(reader)
        warnings = reader.warnings

    assert 0 < len(frames) < n_frames
    np.testing.assert_allclose([t_s for _, t_s in frames], np.arange(len(frames)) / 30.0, atol=1e-6)
    assert all(frame_bgr.shape == (H, W, 3) for frame_bgr, _ in frames)
    assert len(warnings) == 1
    assert f"its header lists {n_frames} frames but only {len(frames)} could be decoded" in warnings[0]
    assert "cut.mp4" in warnings[0]


# -- decoding quirks, injected ----------------------------------------------


def _replace_decoder(reader: VideoReader, frames: Iterator[av.VideoFrame]) -> None:
    """Swap the reader's decoded-frame source (after its first frame) for ``frames``."""
    reader._frames = frames  # noqa: SLF001 - white-box test of the iteration logic


def _fake_frame(pts: int | None) -> av.VideoFrame:
    frame = av.VideoFrame.from_ndarray(gradient_bgr(0), format="bgr24")
    frame.pts = pts
    return frame


def test_corruption_mid_stream_stops_cleanly_with_warning(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=10)
    with VideoReader(path) as reader:
        real = reader._frames  # noqa: SLF001

        def fail_after_four() -> Iterator[av.VideoFrame]:
            for _ in range(4):
                yield next(real)
            raise av.error.InvalidDataError(-1094995529, "Invalid data found when processing input")

        _replace_decoder(reader, fail_after_four())
        frames = list(reader)
        assert len(frames) == 5  # the first frame (decoded on open) + four
        assert len(reader.warnings) == 1
        assert reader.warnings[0].startswith(f"{path}: decoding stopped after 5 frames (t=0.133 s): Invalid data")


def test_non_increasing_timestamps_are_dropped(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=3)
    with VideoReader(path) as reader:
        tick = int(1 / (30 * reader._stream.time_base))  # noqa: SLF001 - pts per frame
        _replace_decoder(reader, iter([_fake_frame(p * tick) for p in (1, 1, 0, 2, 3)]))
        times_s = [t_s for _, t_s in reader]
        assert reader.warnings == [f"{path}: dropped 2 frames whose timestamp was not after the previous frame's"]
    np.testing.assert_allclose(times_s, [0, 1 / 30, 2 / 30, 3 / 30], atol=1e-9)


def test_missing_pts_falls_back_to_index_over_fps(tmp_path: Path) -> None:
    path = write_clip(tmp_path / "clip.mp4", n_frames=3, fps=25)
    with VideoReader(path) as reader:
        _replace_decoder(reader, iter([_fake_frame(None), _fake_frame(None)]))
        times_s = [t_s for _, t_s in reader]
    np.testing.assert_allclose(times_s, [0.0, 1 / 25, 2 / 25], atol=1e-9)


# -- Y4M ---------------------------------------------------------------------


def test_y4m_header_size_and_content(tmp_path: Path) -> None:
    path = tmp_path / "camera.y4m"
    n_frames = 7
    n_written = write_y4m((gradient_bgr(i) for i in range(n_frames)), path, fps=29.97)
    assert n_written == n_frames

    header = b"YUV4MPEG2 W64 H48 F30000:1001 Ip A1:1 C420jpeg\n"
    data = path.read_bytes()
    assert data.startswith(header)
    assert len(data) == len(header) + n_frames * (len(b"FRAME\n") + W * H * 3 // 2)
    assert data[len(header) : len(header) + 6] == b"FRAME\n"

    # FFmpeg reads it back as video (this is what Chromium's fake camera does too).
    with VideoReader(path) as reader:
        assert reader.info.frame_wh == FRAME_WH
        assert reader.info.fps == pytest.approx(29.97, abs=1e-3)
        frames = [frame_bgr for frame_bgr, _ in reader]
    assert len(frames) == n_frames
    for i, frame_bgr in enumerate(frames):
        assert mean_abs_error(frame_bgr, gradient_bgr(i)) < MAX_MEAN_ABS_ERROR


def test_y4m_integer_fps_header(tmp_path: Path) -> None:
    path = tmp_path / "camera.y4m"
    write_y4m([gradient_bgr(0)], path, fps=Fraction(30))
    assert path.read_bytes().startswith(b"YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg\n")


def test_y4m_refusals(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="even width and height, got 63x48"):
        write_y4m([np.zeros((48, 63, 3), np.uint8)], tmp_path / "odd.y4m", fps=30)
    with pytest.raises(ValueError, match=r"frame 1: expected a BGR frame of shape \(48, 64, 3\)"):
        write_y4m([gradient_bgr(0), gradient_bgr(0, (32, 24))], tmp_path / "mixed.y4m", fps=30)
    with pytest.raises(ValueError, match="no frames to write"):
        write_y4m([], tmp_path / "none.y4m", fps=30)
    assert not (tmp_path / "none.y4m").exists()
