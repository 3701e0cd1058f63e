// uni-app service layer, as the HBuilderX compiler lays it out
function report() {
  uni.getLocation({ type: 'gcj02' });
  return "学习时长统计";
}
