"""MediaPipe, in this module only: hands (and faces, for blurring recordings) as our own types.

:class:`HandDetector` wraps ``mediapipe.solutions.hands`` for one video
stream: create one per stream and feed it frames in time order (MediaPipe's
video mode tracks landmarks from frame to frame). :class:`FaceDetector` wraps
its face detector for blurring faces in recordings. MediaPipe is imported
when a detector is made, never at import time. Everything downstream sees
:class:`~vision.core.hands.HandObservation` and plain boxes.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from vision.core.hands import HandObservation, merge_duplicates


@dataclass(frozen=True)
class DetectorConfig:
    """MediaPipe Hands settings.

    max_hands: the giver's two. MediaPipe runs its palm detector on every
    frame while fewer hands than this are tracked, and not at all while all
    are: with two slots it costs half what four do (11.7 against 22.5 ms a
    640x480 frame here). The recipient's resting hands and a bystander's are
    kept out of the slots by what the detector is shown, not by more slots
    (see ``Pipeline._keep_slots``).
    """

    max_hands: int = 2
    # The lite models (0) found the rendered hands sooner and more often than
    # the full ones in our samples, and run faster; 1 is there to compare.
    model_complexity: int = 0
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5

    def __post_init__(self) -> None:
        if not 1 <= self.max_hands <= 8:
            raise ValueError(f"max_hands: expected 1..8, got {self.max_hands}")
        if self.model_complexity not in (0, 1):
            raise ValueError(f"model_complexity: expected 0 or 1, got {self.model_complexity}")


class HandDetector:
    """MediaPipe Hands in video mode, for ONE stream of frames in time order."""

    def __init__(self, config: DetectorConfig = DetectorConfig()):
        import mediapipe as mp  # heavy; imported where it is used

        self.config = config
        self.last_s = 0.0  # how long MediaPipe took on the last frame (wall clock), second looks included
        self._again: Any = None  # MediaPipe in image mode, for second looks (made on the first)
        self.looks = 0  # second looks taken
        self._hands = mp.solutions.hands.Hands(
            static_image_mode=False,
            max_num_hands=config.max_hands,
            model_complexity=config.model_complexity,
            min_detection_confidence=config.min_detection_confidence,
            min_tracking_confidence=config.min_tracking_confidence,
        )

    def detect(self, frame_rgb: NDArray[np.uint8], offset_px: tuple[int, int] = (0, 0)) -> list[HandObservation]:
        """Hands in one RGB frame (H, W, 3) uint8; an empty list when there are none.

        offset_px: where this frame's top-left corner lies in the full frame,
        when it is a crop; the landmarks come back in full-frame pixels.
        """
        start = time.perf_counter()
        result = self._hands.process(frame_rgb)
        self.last_s = time.perf_counter() - start
        return self._observations(result, frame_rgb.shape, offset_px)

    def look_again(self, frame_rgb: NDArray[np.uint8], offset_px: tuple[int, int] = (0, 0)) -> list[HandObservation]:
        """A second look at part of a frame already seen (where a hand vanished beside another): MediaPipe
        in image mode, which runs its palm detector on this crop alone, where the hands look bigger and no
        tracked hand stands in for the one lost. Its time is added to :attr:`last_s`."""
        if self._again is None:
            import mediapipe as mp

            self._again = mp.solutions.hands.Hands(
                static_image_mode=True,
                max_num_hands=2,
                model_complexity=self.config.model_complexity,
                min_detection_confidence=self.config.min_detection_confidence,
            )
        self.looks += 1
        start = time.perf_counter()
        result = self._again.process(frame_rgb)
        self.last_s += time.perf_counter() - start
        return self._observations(result, frame_rgb.shape, offset_px)

    @staticmethod
    def _observations(result, shape: tuple[int, ...], offset_px: tuple[int, int]) -> list[HandObservation]:
        h, w = shape[:2]
        hands: list[HandObservation] = []
        ox, oy = offset_px
        for i, lms in enumerate(result.multi_hand_landmarks or []):
            # rounded to what a recording keeps (0.01 px), so that re-judging a
            # recording's landmarks gives exactly the live verdicts
            xy = np.array([(p.x, p.y) for p in lms.landmark], dtype=np.float64)
            pts = (xy * (w, h) + (ox, oy)).round(2)
            score = 1.0
            if result.multi_handedness and i < len(result.multi_handedness):
                score = round(float(result.multi_handedness[i].classification[0].score), 3)
            hands.append(HandObservation(pts, score))
        return merge_duplicates(hands)

    def close(self) -> None:
        self._hands.close()
        if self._again is not None:
            self._again.close()

    def __enter__(self) -> HandDetector:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class FaceDetector:
    """MediaPipe's bundled face detector (the full-range model), for ONE stream in ONE thread."""

    def __init__(self, min_confidence: float = 0.5):
        import mediapipe as mp  # heavy; imported where it is used

        self._det = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=min_confidence
        )

    def detect(self, frame_rgb: NDArray[np.uint8]) -> list[tuple[float, float, float, float]]:
        """Face boxes (x0, y0, x1, y1) in image pixels of an RGB frame (H, W, 3); [] when there are none."""
        h, w = frame_rgb.shape[:2]
        result = self._det.process(frame_rgb)
        boxes = []
        for d in result.detections or []:
            r = d.location_data.relative_bounding_box
            boxes.append((r.xmin * w, r.ymin * h, (r.xmin + r.width) * w, (r.ymin + r.height) * h))
        return boxes

    def close(self) -> None:
        self._det.close()
