// Texts of the conventions every page shares (colours of up and down), registered by i18n.js.
export default {
  en: {
    "colours.label": "Price colours",
    "colours.auto": "Colours: by language",
    "colours.red-up": "Red up, blue down",
    "colours.green-up": "Green up, red down",
  },
  ko: {
    "colours.label": "시세 색상",
    "colours.auto": "색상: 언어 기본값",
    "colours.red-up": "상승 빨강, 하락 파랑",
    "colours.green-up": "상승 초록, 하락 빨강",
  },
};
